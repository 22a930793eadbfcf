"""A small generic registry of providers (`@registry.register("sandbox")`), passed in as a
parameter so tests can build their own (Open Forms' plugin registry pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self) -> None:
        self._items: dict[str, T] = {}

    def register(self, identifier: str) -> Callable[[type[T]], type[T]]:
        def decorator(cls: type[T]) -> type[T]:
            if identifier in self._items:
                raise ValueError(f"provider {identifier!r} is already registered")
            self._items[identifier] = cls(identifier)  # type: ignore[call-arg]
            return cls

        return decorator

    def __getitem__(self, identifier: str) -> T:
        try:
            return self._items[identifier]
        except KeyError as exc:
            raise KeyError(f"unknown provider {identifier!r}") from exc

    def __contains__(self, identifier: str) -> bool:
        return identifier in self._items

    def __iter__(self):
        return iter(self._items.values())
