"""The staff console's home page (工作台): the caller's pending work and figures, and links
to every console function the caller's role allows."""
