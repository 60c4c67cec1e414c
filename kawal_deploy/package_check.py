"""The CloudFormation path, checked as CI checks it (`make package`, part of
`make test`):

1. the resources template from `kawal_deploy.template`, merged by
   `chalice package --merge-template` into one SAM template;
2. `cfn-lint` on that template;
3. the sizes: our code's deployment.zip (target 15 MB) and the libraries' managed layer
   (Lambda takes at most 50 MB zipped each);
4. every function's handler imported from the unpacked zip by a clean Python 3.13
   with nothing but what Lambda's runtime provides (boto3), so a wheel that will not
   load on Lambda fails here, not in production.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
LIMIT_MB, TARGET_MB = 50, 15


def run(*command: str, cwd: Path = ROOT, **kwargs) -> None:
    shown = [c if len(c) < 60 and "\n" not in c else "…" for c in command]
    print("$", " ".join(shown), flush=True)
    subprocess.run(command, check=True, cwd=cwd, **kwargs)


def runtime_boto3() -> str:
    """The boto3 pin of requirements-dev.txt: what the tests ran against."""
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        if line.startswith("boto3=="):
            return line.split("#")[0].strip()
    return "boto3"


def clean_python() -> Path:
    """A Python like the one packaging (3.13) with only boto3 in it, as Lambda's runtime has."""
    home = BUILD / "lambda-runtime"
    python = home / "bin" / "python"
    marker = home / ".ready"
    wanted = f"python{sys.version_info[0]}.{sys.version_info[1]} {runtime_boto3()}"
    if not (marker.exists() and marker.read_text() == wanted):
        shutil.rmtree(home, ignore_errors=True)
        venv.create(home, with_pip=True, clear=True)
        pin = runtime_boto3()
        run(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", pin)
        marker.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    stage = argv[0] if argv else "prod"
    bin_dir = Path(sys.executable).parent
    region = os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-3")
    env = {**os.environ, "AWS_DEFAULT_REGION": region}
    merge = BUILD / f"resources-{stage}.json"
    out = BUILD / f"package-{stage}"
    shutil.rmtree(out, ignore_errors=True)
    run(sys.executable, "-m", "kawal_deploy.template", stage, str(merge))
    run(str(bin_dir / "chalice"), "package", "--stage", stage, "--merge-template", str(merge),
        str(out), env=env)  # fmt: skip
    template = out / "sam.json"
    run(str(bin_dir / "cfn-lint"), str(template))

    # Our code in deployment.zip; the libraries in Chalice's managed layer
    # (automatic_layer), shared by every function and unchanged between most deploys.
    archive, layer = out / "deployment.zip", out / "layer-deployment.zip"
    for zipped, target in ((archive, TARGET_MB), (layer, LIMIT_MB)):
        size_mb = zipped.stat().st_size / 1e6
        print(f"{zipped.name}: {size_mb:.1f} MB (Lambda's limit {LIMIT_MB} MB, target {target})")
        if size_mb > LIMIT_MB:
            print("FAIL: the package is over Lambda's limit")
            return 1

    unpacked, unpacked_layer = BUILD / f"unpacked-{stage}", BUILD / f"unpacked-{stage}-layer"
    for zipped, target in ((archive, unpacked), (layer, unpacked_layer)):
        shutil.rmtree(target, ignore_errors=True)
        zipfile.ZipFile(zipped).extractall(target)
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    layer_packages = unpacked_layer / "python" / "lib" / version / "site-packages"
    assert layer_packages.is_dir(), f"the layer has no {version} site-packages"
    resources = json.loads(template.read_text())["Resources"]
    handlers = sorted(
        r["Properties"]["Handler"]
        for r in resources.values()
        if r.get("Type") == "AWS::Serverless::Function"
    )
    stage_env = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage][
        "environment_variables"
    ]
    probe = (
        "import importlib, sys\n"
        "for handler in sys.argv[1:]:\n"
        "    module, _, name = handler.rpartition('.')\n"
        "    assert callable(getattr(importlib.import_module(module), name)), handler\n"
        "from chalicelib.adapters import imaging  # the photo path: Pillow's own wheel\n"
        "import phonenumbers, email_validator  # phones and email addresses\n"
        "import pillow_heif  # iPhone photos\n"
        "assert pillow_heif.libheif_info()['decoders'], 'no HEVC decoder'\n"
        "from PIL import Image, features\n"
        "assert features.check('jpg'), 'Pillow has no JPEG support'\n"
        "import jwt.algorithms\n"
        "assert jwt.algorithms.has_crypto, 'RS256 needs cryptography'\n"
        "import pydantic_core, aws_lambda_powertools, cryptography.hazmat.primitives.ciphers.aead\n"
        "print('imported', len(sys.argv) - 1, 'handlers from the package')\n"
    )
    clean_env = {
        "PATH": "/usr/bin:/bin",
        "AWS_DEFAULT_REGION": env["AWS_DEFAULT_REGION"],
        "PYTHONPATH": f"{unpacked}:{layer_packages}",  # as Lambda puts /opt/python
        **stage_env,
    }
    run(str(clean_python()), "-c", probe, *handlers, env=clean_env, cwd=unpacked)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
