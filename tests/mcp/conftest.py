from tests.client.live import account, live, live_other

__all__ = ["account", "live", "live_other"]
