import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import settings

# Properties are about correctness, not speed: no per-example deadline on a busy 2-core machine,
# and a fixed derandomized run so CI is repeatable.
settings.register_profile("sales_modes", deadline=None, derandomize=True, max_examples=300)
settings.load_profile("sales_modes")
