"""What lmms-eval's LMMS_EVAL_PLUGINS loader reads: model name -> class in the module of
that name under this package."""

AVAILABLE_MODELS = {"sciannot_scripted": "ScriptedModel"}
