"""Write internal/model/timm_archs.json from timm's own source.

For every architecture that timm registers in the ViT-family modules
(vision_transformer, deit, beit, eva, vision_transformer_relpos), record
the class its constructor builds and the keyword arguments it passes (the
architecture's model_args), and for each class the defaults of its
constructor (the family defaults). Also list every pretrained tag of those
architectures with its num_classes, so the loader can count what it
supports.

Run from a checkout of huggingface/pytorch-image-models:
    cd TIMM && TIMM_FUSED_ATTN=0 PYTHONPATH=. /usr/bin/python3 \
        /path/to/vit/scripts/timm_registry.py COMMIT > internal/model/timm_archs.json

Nothing is built: build_model_with_cfg is replaced by a recorder.
"""
import functools
import inspect
import json
import sys

import timm
import timm.models
from timm.models import _builder, _registry

MODULES = ["vision_transformer", "deit", "beit", "eva", "vision_transformer_relpos"]


def value(v):
    """A JSON value for a constructor argument: classes and functions by
    name, partials as name(kw=v, ...)."""
    if isinstance(v, functools.partial):
        kw = ", ".join(f"{k}={value(x)}" for k, x in sorted(v.keywords.items()))
        return f"{value(v.func)}({kw})"
    if isinstance(v, type) or callable(v):
        name = getattr(v, "__name__", repr(v))
        if getattr(v, "__module__", "").startswith("torch."):
            name = "nn." + name  # torch's LayerNorm (eps 1e-5), not timm's (1e-6)
        return name
    if isinstance(v, tuple):
        return [value(x) for x in v]
    if isinstance(v, (list,)):
        return [value(x) for x in v]
    if isinstance(v, dict):
        return {k: value(x) for k, x in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)


class Recorded(Exception):
    pass


def main():
    commit = sys.argv[1] if len(sys.argv) > 1 else ""
    calls = {}

    def recorder(model_cls, variant, pretrained, pretrained_cfg=None, pretrained_cfg_overlay=None,
                 kwargs_filter=None, **kwargs):
        # What build_model_with_cfg does to the arguments before the class
        # sees them: img_size (fixed-size models), in_chans and
        # num_classes from the default pretrained cfg.
        cfg = _builder.resolve_pretrained_cfg(
            variant, pretrained_cfg=pretrained_cfg, pretrained_cfg_overlay=pretrained_cfg_overlay)
        _builder._update_default_model_kwargs(cfg.to_dict(), kwargs, kwargs_filter)
        calls["cls"], calls["kwargs"] = model_cls, kwargs
        raise Recorded()

    for mod in MODULES:
        m = getattr(timm.models, mod)
        m.build_model_with_cfg = recorder

    archs, classes, failed = {}, {}, {}
    for mod in MODULES:
        for name in sorted(_registry.list_models(module=mod)):
            calls.clear()
            try:
                _registry.model_entrypoint(name)(pretrained=False)
            except Recorded:
                pass
            except Exception as e:  # noqa: BLE001
                failed[name] = f"{type(e).__name__}: {e}"
                continue
            if "cls" not in calls:
                failed[name] = "no build_model_with_cfg call"
                continue
            cls = calls["cls"]
            kw = {k: v for k, v in calls["kwargs"].items()
                  if k not in ("pretrained_filter_fn", "pretrained_strict", "feature_cfg")}
            cname = cls.__name__
            if cname not in classes:
                # A subclass that passes *args, **kwargs on (deit's
                # VisionTransformerDistilled) has its base's defaults.
                base = next(c for c in cls.__mro__ if "embed_dim" in inspect.signature(c.__init__).parameters)
                sig = inspect.signature(base.__init__)
                classes[cname] = {
                    k: value(p.default) for k, p in sig.parameters.items()
                    if k not in ("self", "kwargs", "device", "dtype") and p.default is not inspect.Parameter.empty
                }
            archs[name] = {"module": mod, "class": cname, "args": {k: value(v) for k, v in sorted(kw.items())}}

    tags = {}
    for name in sorted(archs):
        for full in _registry.list_pretrained(name):
            if full.split(".")[0] != name:
                continue
            cfg = _registry.get_pretrained_cfg(full)
            tags[full] = {"num_classes": cfg.num_classes, "input_size": list(cfg.input_size)}

    out = {
        "timm_commit": commit,
        "timm_version": timm.__version__,
        "classes": classes,
        "archs": archs,
        "tags": tags,
    }
    if failed:
        out["failed"] = failed
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
