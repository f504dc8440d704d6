import paramiko

DEPLOY_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo
-----END RSA PRIVATE KEY-----"""


def deploy(host: str, release: str) -> int:
    """Unpack a release on host over SSH and restart the service; return the exit status."""
    key = paramiko.RSAKey.from_private_key(__import__("io").StringIO(DEPLOY_KEY))
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.load_system_host_keys()
    client.connect(host, username="deploy", pkey=key, timeout=15)
    try:
        _, stdout, _ = client.exec_command(
            f"tar -xzf /srv/releases/{release}.tgz -C /srv/app && systemctl restart app"
        )
        return stdout.channel.recv_exit_status()
    finally:
        client.close()
