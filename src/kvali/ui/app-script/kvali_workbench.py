"""The script `kvali app` gives `streamlit run`; Streamlit executes it on every rerun.

It lives in a folder of its own (not importable, shipped as package data) because Streamlit puts
the script's folder first on sys.path: next to kvali's UI modules that would make `state`,
`render` or `pages` importable as top-level names.
"""

from kvali.ui.app import run

run()
