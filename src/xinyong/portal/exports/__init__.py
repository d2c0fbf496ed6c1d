"""What the portal gives to take away: CSV/XLSX exports of search results, 双公示 and list
publications, the detail page of each 双公示 decision, and the ingest templates per item."""
