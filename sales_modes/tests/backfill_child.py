"""The backfill as a second process runs it, for the kill-and-resume test.

`bench --site S execute sales_modes.tests.backfill_child.run --kwargs '{"batch_size": 2}'` runs
the backfill, prints a line after each committed batch that wrote rows, then waits `pause`
seconds, so the test can kill it between two batches it knows are committed.
"""

import time

from sales_modes.backfill import run_backfill


def run(batch_size: int, pause: float = 0.5) -> None:
	def on_batch(batch):
		if batch.changed:
			print(f"committed {batch.doctype} {batch.first}..{batch.last} {batch.changed}", flush=True)
			time.sleep(pause)

	run_backfill(batch_size=batch_size, on_batch=on_batch)
