"""JupyterHub for a bpcourse class on one machine: an instructor, students, nbgrader's file-system exchange.

Start it as root from the Python environment that has bpcourse, nbgrader and jupyterhub installed (the users'
servers and kernels run in that same environment, so it must be readable by every user):

    jupyterhub -f instructor/jupyterhub/jupyterhub_config.py

Everything site-specific comes from environment variables with the defaults below, so this very file is the
one ``tests/test_jupyterhub_e2e.py`` starts a real hub with (users, ports and folders are then temporary ones):

==============================  =================================  ==============================================
variable                        default                            what
==============================  =================================  ==============================================
BPCOURSE_COURSE_ID              course101                          nbgrader's course id
BPCOURSE_INSTRUCTOR             instructor1                        the instructor's Unix user name
BPCOURSE_STUDENTS               student1 student2                  the students' Unix user names (space-separated)
BPCOURSE_EXCHANGE               /srv/nbgrader/exchange             nbgrader's exchange (shared folder, mode 777)
BPCOURSE_HUB_STATE              /srv/jupyterhub                    the hub's database, cookie secret, proxy pid
BPCOURSE_HUB_BIND_URL           http://127.0.0.1:8000              where the proxy listens (the users' URL)
BPCOURSE_HUB_PORT               8081                               the hub's own API port, on 127.0.0.1
BPCOURSE_PROXY_API_PORT         8001                               the proxy's API port, on 127.0.0.1
BPCOURSE_HUB_SERVICE_TOKEN      (unset: no service)                API token of a "course-automation" service
==============================  =================================  ==============================================

``nbgrader_config.py`` beside this file is every user's nbgrader configuration: the hub puts this folder on the
users' ``JUPYTER_CONFIG_PATH`` (or copy that file to ``/etc/jupyter/``).
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config when it loads this file)

HERE = Path(__file__).resolve().parent
env = os.environ.get

course_id = env("BPCOURSE_COURSE_ID", "course101")
instructor = env("BPCOURSE_INSTRUCTOR", "instructor1")
students = env("BPCOURSE_STUDENTS", "student1 student2").split()
exchange = env("BPCOURSE_EXCHANGE", "/srv/nbgrader/exchange")
state = Path(env("BPCOURSE_HUB_STATE", "/srv/jupyterhub"))

# --- network: the proxy is the only public endpoint; the hub's and the proxy's APIs stay on loopback ---------
c.JupyterHub.bind_url = env("BPCOURSE_HUB_BIND_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env('BPCOURSE_HUB_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('BPCOURSE_PROXY_API_PORT', '8001')}"

# --- the hub's own state, in one folder (not the working directory it happens to start in) ------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
# Stopping the hub stops the users' servers and the proxy too: nothing keeps running after a shutdown.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- users: real Unix accounts, PAM passwords ----------------------------------------------------------------
# Each user's server runs as that user (LocalProcessSpawner switches uid before exec, which needs the hub to run
# as root; no sudo set-up), so the exchange's file permissions are what keeps students apart.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # PAM sessions' lifecycle is not right for long-lived servers
c.Authenticator.allowed_users = {instructor, *students}

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.ip = "127.0.0.1"
# The users' servers and kernels run in the hub's own environment: bpcourse (the test cells call
# bpcourse.grading.check) and nbgrader (fetch, submit; generate, autograde) must be there for every user.
c.Spawner.cmd = [str(Path(sys.prefix) / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    # nbgrader_config.py beside this file becomes every user's nbgrader configuration
    "JUPYTER_CONFIG_PATH": str(HERE),
    "BPCOURSE_COURSE_ID": course_id,
    "BPCOURSE_INSTRUCTOR": instructor,
    "BPCOURSE_EXCHANGE": exchange,
}
# A busy machine starting many servers at once (the first lecture) needs more than the 60 s / 30 s defaults.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

# --- optional: an API-only service that may start servers and work in them (automation; the course's test) --
service_token = env("BPCOURSE_HUB_SERVICE_TOKEN")
if service_token:
    c.JupyterHub.services = [{"name": "course-automation", "api_token": service_token}]
    c.JupyterHub.load_roles = [{
        "name": "course-automation",
        "services": ["course-automation"],
        "scopes": ["list:users", "read:users", "admin:servers", "access:servers"],
    }]
