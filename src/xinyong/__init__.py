"""xinyong: the public credit information sharing platform (公共信用信息共享平台)."""

__version__ = "0.1.0"
