"""Video files through PyAV: `probe` (facts and limits), `poster` (a frame as a JPEG) and
`transcode` (the browser-compatibility check and the browser copy)."""
