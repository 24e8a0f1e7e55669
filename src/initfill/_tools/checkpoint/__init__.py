"""``initfill checkpoint``: a random-weight safetensors checkpoint of a transformers
config or a torch model factory, streamed by :func:`initfill.torch.save_random`.

- :mod:`.models`: the model on the meta device, from ``--hf-config`` or ``--torch-module``;
- :mod:`.command`: the subcommand's options and what running it does.
"""
