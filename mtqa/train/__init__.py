"""Training the QE model: data, corruptions, the torch model, the train loop and calibration.

Needs the ``train`` extra (torch, transformers): ``pip install 'mtqa[train]'``. Checking
never imports this package (``tests/test_imports.py``).
"""
