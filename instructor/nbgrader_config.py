"""nbgrader's configuration for this repository's course directory, ``instructor/``.

``instructor/`` is laid out as nbgrader's course directory: ``source/exNN/exNN_name.ipynb`` are the exercises'
sources (solutions and hidden tests). Run nbgrader here, e.g. ``cd instructor && nbgrader generate_assignment
ex06``: it writes the student version to ``instructor/release/ex06/ex06_fully_connected_layer.ipynb``, the same
bytes as ``exercises/ex06_fully_connected_layer.ipynb`` (``tests/test_exercise_layout.py`` checks it). Its other
folders (``release/``, ``submitted/``, ``autograded/``, ``feedback/``) and ``gradebook.db`` are not committed.

On the course's JupyterHub every user gets ``jupyterhub/nbgrader_config.py`` instead.
"""
import os

c = get_config()  # noqa: F821 (nbgrader defines get_config when it loads this file)

# this folder, wherever nbgrader is started from with this file as its configuration
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
