"""An lmms-eval plugin whose model replies from a fixed script, so a harness run is exactly
reproducible and exercises the reply forms real models produce (readable, unreadable,
chain-of-thought). Loaded with LMMS_EVAL_PLUGINS=sciannot_scripted."""
