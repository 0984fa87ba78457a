"""``[dingtalk]`` in config.toml (parsed by bot/config.py)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_QUOTA = 5000  # metered calls a month for a standard organisation (DingTalk's 2026 throttling document)


@dataclass(frozen=True)
class DingTalkConfig:
    client_id: str = ""  # the app's Client ID (formerly AppKey)
    client_secret: str = ""
    robot_code: str = ""  # empty: the client_id (an internal app's robot usually has it as its code)
    api_base: str = "https://api.dingtalk.com"
    oapi_base: str = "https://oapi.dingtalk.com"
    monthly_quota: int = DEFAULT_QUOTA  # what `unionbot status` measures the month's metered calls against

    @property
    def enabled(self) -> bool:
        return bool(self.client_id)

    @property
    def robot(self) -> str:
        return self.robot_code or self.client_id
