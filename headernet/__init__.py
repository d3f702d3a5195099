"""HeaderNet: a sparse dataset builder for football header detection on SoccerNet videos.

Positives from the header annotations, negatives with guard frames (``annotations``, ``sampling``), only
the needed frames decoded (``frames``), the ball found by RF-DETR (``detector``), ball-centred crop stacks
(``crops``) written to a resumable cache (``cache``), all driven by ``builder``; ``synth`` renders
synthetic SoccerNet games in the real folder and label format.
"""
