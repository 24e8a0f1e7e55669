"""Initializers by name: get, serialize and deserialize, as keras.initializers."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from ._base import Constant, Initializer, Ones, Zeros
from ._matrices import Identity, Orthogonal
from ._random import (GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal,
                      LecunUniform, RandomNormal, RandomUniform, TruncatedNormal,
                      VarianceScaling)

_CLASSES: tuple[type[Initializer], ...] = (
    Constant, Zeros, Ones, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
    Orthogonal, Identity,
)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_BY_NAME: dict[str, type[Initializer]] = {}
for _cls in _CLASSES:
    _BY_NAME[_cls.__name__] = _cls
    _BY_NAME[_snake(_cls.__name__)] = _cls
# Keras's aliases.
_BY_NAME.update({"uniform": RandomUniform, "normal": RandomNormal, "one": Ones,
                 "zero": Zeros, "OrthogonalInitializer": Orthogonal,
                 "IdentityInitializer": Identity})
del _cls


# The class names Keras 3 writes in a serialized config (its classes of these two are
# OrthogonalInitializer and IdentityInitializer; Orthogonal/Identity are aliases).
_KERAS_CLASS_NAME = {Orthogonal: "OrthogonalInitializer", Identity: "IdentityInitializer"}
_C = TypeVar("_C", bound=Callable[..., Any])


def _known() -> str:
    return ", ".join(sorted(_BY_NAME, key=lambda n: (n[0].isupper(), n)))


def serialize(initializer: Initializer) -> dict[str, Any]:
    """Return the dict Keras 3 writes for the same initializer.

    ``{"module": "keras.initializers", "class_name": ..., "config": ...,
    "registered_name": None}``, with Keras's class names (``"OrthogonalInitializer"``
    and ``"IdentityInitializer"`` for :class:`Orthogonal` and :class:`Identity`).

    Parameters
    ----------
    initializer : Initializer

    Returns
    -------
    dict
        Accepted by :func:`deserialize` and :func:`get`, and by Keras's own
        ``keras.initializers.deserialize``.
    """
    if not isinstance(initializer, Initializer):
        raise TypeError(
            f"initializer must be an initfill Initializer, got {type(initializer).__name__}")
    cls = type(initializer)
    return {"module": "keras.initializers",
            "class_name": _KERAS_CLASS_NAME.get(cls, cls.__name__),
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config: Mapping[str, Any]) -> Initializer:
    """Build an initializer from ``{"class_name": ..., "config": {...}}``.

    Parameters
    ----------
    config : mapping
        ``class_name`` is a class name or any name :func:`get` knows; ``config``
        (optional) the constructor arguments.

    Returns
    -------
    Initializer

    Raises
    ------
    ValueError
        Unknown class name (the message lists the known ones) or a malformed dict.
    """
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise ValueError(
            "config must be a dict with a 'class_name' key (and optionally 'config'), "
            f"got {config!r}")
    name = config["class_name"]
    cls = _BY_NAME.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown initializer class_name {name!r}; known: {_known()}")
    inner = config.get("config") or {}
    if not isinstance(inner, Mapping):
        raise ValueError(f"'config' must be a dict, got {type(inner).__name__}")
    return cls.from_config(inner)


@overload
def get(identifier: None) -> None: ...
@overload
def get(identifier: str | Mapping[str, Any] | Initializer | type[Initializer]) -> Initializer: ...
@overload
def get(identifier: _C) -> _C: ...
def get(identifier: Any) -> Initializer | Callable[..., Any] | None:
    """Resolve an initializer the way ``keras.initializers.get`` does.

    Parameters
    ----------
    identifier : None, str, dict, Initializer or callable
        - None: returns None;
        - a str: a Keras name (``"glorot_uniform"``, ``"he_normal"``,
          ``"lecun_normal"``, ``"random_normal"``, ``"truncated_normal"``,
          ``"zeros"``, ``"ones"``, ``"orthogonal"``, ``"identity"``, ...), a class
          name (``"GlorotUniform"``) or an alias (``"uniform"``, ``"normal"``,
          ``"zero"``, ``"one"``): a new object with default arguments;
        - a dict ``{"class_name": ..., "config": {...}}``: see :func:`deserialize`;
        - an initializer instance: returned as it is;
        - an initializer class: instantiated with default arguments;
        - any other callable: returned as it is.

    Returns
    -------
    Initializer, callable or None

    Raises
    ------
    ValueError
        For an unknown name or an object that is none of the above; the message
        lists the known names.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"unknown initializer {identifier!r}; known: {_known()}")
        return cls()
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"could not interpret initializer identifier {identifier!r}; give a name "
        f"({_known()}), a config dict, an Initializer or a callable")
