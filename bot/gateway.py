"""The gateway on this machine (`unionbot gateway`) and where `unionbot run` connects.

The gateway is the shipped Node package in ``gateway/`` (wechaty-puppet-service over wechat4u or
the mock). It listens on 127.0.0.1 only, with TLS off (python-wechaty speaks plain gRPC), and
with a token made once and kept in ``var/gateway.token`` (mode 600) beside the config, which
``[wechaty] endpoint = "local"`` makes `unionbot run` read. A remote puppet service (WorkPro
for WeCom) is an explicit endpoint and token instead, as before.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from pathlib import Path

from bot.config import Config

GATEWAY_DIR = Path(__file__).resolve().parents[1] / "gateway"
PUPPETS = ("wechat4u", "mock")


class GatewayError(Exception):
    """Why the gateway cannot start or be reached, for the person at the terminal."""


def token_path(config: Config) -> Path:
    return config.var_dir / "gateway.token"


def ensure_token(config: Config) -> str:
    """The gateway's token: made once (random), kept readable by its owner only."""
    path = token_path(config)
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return token


def listening(port: int, host: str = "127.0.0.1", timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def connection(config: Config) -> tuple[str, str]:
    """(endpoint, token) for `unionbot run` and `doctor`; GatewayError says what to do when there is none."""
    if config.local_gateway:
        path = token_path(config)
        token = path.read_text(encoding="utf-8").strip() if path.exists() else ""
        if not token:
            raise GatewayError(f"本机网关还没有启动过（没有 {path}）：请先在另一个终端运行 unionbot gateway")
        if not listening(config.gateway_port):
            raise GatewayError(f"本机网关没有在运行（127.0.0.1:{config.gateway_port} 无人监听）："
                               "请先运行 unionbot gateway")
        return f"127.0.0.1:{config.gateway_port}", token
    if not config.wechaty_endpoint:
        raise GatewayError("未设置 [wechaty] endpoint（或环境变量 WECHATY_PUPPET_SERVICE_ENDPOINT）；"
                           "本机网关请写 endpoint = \"local\"；不连微信试用请运行 unionbot chat")
    if not config.wechaty_token.strip():
        raise GatewayError("[wechaty] token（或环境变量 WECHATY_PUPPET_SERVICE_TOKEN）不能为空："
                           "网关和机器人须用同一个令牌")
    return config.wechaty_endpoint, config.wechaty_token.strip()


def gateway_command(config: Config, puppet: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The command and environment that start the shipped gateway."""
    if puppet not in PUPPETS:
        raise GatewayError(f"puppet 应是 {' 或 '.join(PUPPETS)}")
    if port == 5000:
        raise GatewayError("端口 5000 留给 python-wechaty（登录时会探测它），请换一个端口")
    node = shutil.which("node")
    if node is None:
        raise GatewayError("没有找到 Node.js（node）：请先安装（Debian：apt-get install nodejs npm）")
    if not (GATEWAY_DIR / "node_modules" / "wechaty-puppet-service").is_dir():
        raise GatewayError(f"网关的 npm 包还没有安装：请在项目目录运行 make gateway"
                           f"（即 cd {GATEWAY_DIR} && npm install）")
    if listening(port):
        raise GatewayError(f"127.0.0.1:{port} 已被占用（网关已经在运行？）")
    env = dict(os.environ,
               WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_SERVER="true",  # python-wechaty speaks plain gRPC
               UNIONBOT_GATEWAY_PUPPET=puppet, UNIONBOT_GATEWAY_PORT=str(port),
               UNIONBOT_GATEWAY_TOKEN=ensure_token(config), UNIONBOT_GATEWAY_VAR=str(config.var_dir),
               NODE_NO_WARNINGS="1")
    return [node, str(GATEWAY_DIR / "serve.mjs")], env


def run_gateway(config: Config, puppet: str, port: int) -> None:
    """Become the gateway (exec): systemd's or a terminal's signals then reach it directly, and no
    orphaned gateway is left listening when this process is stopped."""
    args, env = gateway_command(config, puppet, port)
    os.chdir(GATEWAY_DIR)
    os.execve(args[0], args, env)
