"""Containers: ``Sequential`` (layers applied in order, the shape of every MLP here),
``ModuleList`` and ``ModuleDict`` (modules held by position or by name)."""

from collections import OrderedDict

from backproplab.nn.module import Module


class Sequential(Module):
    """``Sequential(layer0, layer1, ...)`` or ``Sequential(OrderedDict(name=layer, ...))``.

    Children are named ``"0"``, ``"1"``… so state keys read ``0.weight``, as in PyTorch.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for module in modules:
                self.append(module)

    def append(self, module: Module) -> "Sequential":
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: {type(module).__name__} is not a Module")
        self.add_module(str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        try:
            return layers[index]
        except IndexError:
            raise IndexError(f"Sequential: index {index} is out of range for "
                             f"{len(layers)} layers") from None

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(Module):
    """A list of modules whose parameters the model owns (a plain list would hide them).

    Children are named ``"0"``, ``"1"``… and renumbered after a deletion or insertion, so the
    state keys always read ``layers.0.weight``, ``layers.1.weight``… as in PyTorch.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _renumber(self, modules: list) -> None:
        for name in list(self._modules):
            self._forget(name)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def _index(self, index: int) -> int:
        n = len(self._modules)
        if not -n <= index < n:
            raise IndexError(f"ModuleList: index {index} is out of range for {n} modules")
        return index % n

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[self._index(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(self._index(index)), _checked(module, "ModuleList"))

    def __delitem__(self, index) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._index(index)]
        self._renumber(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other) -> "ModuleList":
        return ModuleList([*self, *other])

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self._modules)), _checked(module, "ModuleList"))
        return self

    def extend(self, modules) -> "ModuleList":
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        modules = list(self._modules.values())
        modules.insert(index, _checked(module, "ModuleList"))
        self._renumber(modules)

    def pop(self, index: int = -1) -> Module:
        module = self[index]
        del self[index]
        return module


class ModuleDict(Module):
    """A dict of modules by name, in insertion order; state keys read ``name.weight``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no module {key!r}; it has "
                           f"{', '.join(map(repr, self._modules)) or 'none'}")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict: a key must be a non-empty string without '.', "
                           f"got {key!r}")
        self.add_module(key, _checked(module, "ModuleDict"))

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no module {key!r}")
        self._forget(key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules) -> None:
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in list(self._modules):
            self._forget(key)


def _checked(module, container: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{container}: {type(module).__name__} is not a Module")
    return module
