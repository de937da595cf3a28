"""Health check of Celery beat: its schedule file was written in the last 15 minutes.

Beat saves the schedule at least every few minutes while it runs
(beat_max_loop_interval 5 minutes, sync every 3 minutes).
"""

import glob
import os
import sys
import time

files = glob.glob("/app/var/celerybeat-schedule*")
if not files:
    sys.exit("unhealthy: no beat schedule file yet")
age = time.time() - max(os.path.getmtime(f) for f in files)
sys.exit(0 if age < 15 * 60 else f"unhealthy: beat schedule not written for {age:.0f} s")
