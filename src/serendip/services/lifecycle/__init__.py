"""The round lifecycle: how a scheduled round goes from its time coming to posted intros and follow-ups.

The steps, in order (every statement they run is in `adapters/db/lifecycle_store.py` and
`lifecycle_history.py`; states are `domain.lifecycle.RoundState` / `IntroState`):

1. `tick`     - the scheduler's pass: due programs, late rounds skipped, then the steps below.
2. `plan`     - claim the round once, apply the ghost rule (`ghosts`), match and check it
                (`match`), store one pending intro per group (also `admin preview`).
3. `deliver`  - under a lease, open each group DM and post its intro exactly once
                (`failures` says what to do after a failed Slack call).
4. `close`    - mark the round done, post its summary and notes at most once, set the follow-up.
5. `followup` - halfway to the next round, ask each group "did you meet?"; record the answers.

`manual` is `/coffee admin run` (a round started now, through `tick.start_round`); `results` holds
what the steps hand back (PlannedRound, RoundPreview, RoundSummary, TickReport, ManualRun, Answers).
"""
