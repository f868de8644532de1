"""The Streamlit workbench: session state, safe rendering and one module per page."""
