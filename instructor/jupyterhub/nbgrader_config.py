"""nbgrader's configuration for every user of the course's JupyterHub (``jupyterhub_config.py`` beside it).

The hub puts this folder on each user's ``JUPYTER_CONFIG_PATH`` and sets the variables read here; on a hub
without that, copy this file to ``/etc/jupyter/nbgrader_config.py`` and edit the defaults.

* Everybody: the course id and the exchange (a folder every user can write, as nbgrader's one-machine set-up
  has it: ``mkdir -p /srv/nbgrader/exchange && chmod 777 /srv/nbgrader/exchange``).
* The instructor only: the course directory ``~/<course id>`` (``source/``, ``release/``, ``submitted/``,
  ``autograded/``, ``feedback/``, ``gradebook.db``), so nbgrader's commands work from any folder.
* Students work in their home folder: ``nbgrader fetch_assignment`` puts ``<assignment>/`` there.
"""
import os
import pwd

c = get_config()  # noqa: F821 (nbgrader defines get_config when it loads this file)

course_id = os.environ.get("BPCOURSE_COURSE_ID", "course101")
instructor = os.environ.get("BPCOURSE_INSTRUCTOR", "instructor1")

c.CourseDirectory.course_id = course_id
c.Exchange.root = os.environ.get("BPCOURSE_EXCHANGE", "/srv/nbgrader/exchange")

# The user this process really runs as (not $USER, which anyone can set).
me = pwd.getpwuid(os.getuid())
if me.pw_name == instructor:
    c.CourseDirectory.root = os.path.join(me.pw_dir, course_id)
    # A test cell runs the self-check on fresh random cases: give a busy grading machine time for it.
    c.ExecutePreprocessor.timeout = 120
