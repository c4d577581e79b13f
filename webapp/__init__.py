"""The web app (Gradio + FastAPI): chat, library, evaluators' check tab, PDF viewer. Started by app.py."""
