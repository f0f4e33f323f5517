# Sourced by the speed scripts: a virtual environment with PyTorch and the
# Python explainers from PyPI (default target/torch-venv, about 5 GB with
# PyTorch's CUDA libraries, which stay unused; XIL_TORCH_VENV overrides).
# Sets $venv_python.
venv=${XIL_TORCH_VENV:-target/torch-venv}
if ! "$venv/bin/python" -c "import torch, numpy, shap, lime" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q torch numpy shap lime
fi
venv_python="$venv/bin/python"
