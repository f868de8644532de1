"""The kvali workbench from a source checkout: `KVALI_DB=project.db streamlit run app.py`."""

from kvali.ui.app import run

run()
