"""The round lifecycle: how a scheduled round goes from its time coming to posted intros and follow-ups.

The steps, in order (every statement they run is in `adapters/db/lifecycle_store.py` and
`lifecycle_history.py`; states are `domain.lifecycle.RoundState` / `IntroState`):

1. `tick`     - the scheduler's pass: half-stored rounds of dead planners removed, due programs,
                late rounds skipped, then the steps below.
2. `plan`     - read the round's inputs set-based (`inputs`, the ghost rule in `ghosts`), match and
                check them (`match`) with no transaction open, then claim the round once and store
                one pending intro per group in short transactions under the planner's lease
                (`plan_write`; also `admin preview`); `plan_worker` runs it in a spawned process
                for the scheduler.
3. `deliver`  - under a lease, open each group DM and post its intro exactly once
                (`failures` says what to do after a failed Slack call).
4. `close`    - mark the round done, post its summary and notes at most once, set the follow-up.
5. `followup` - halfway to the next round, ask each group "did you meet?"; record the answers.

A circles program's round is a season and its intros are circles (see `domain.lifecycle.CircleState`).
During it, `circle_nudges` posts each meeting's nudge once, `circle_answers` records the buttons,
`circle_changes` / `circle_joins` give a circle a new group DM when its members change (posted by
`circle_dms`); at its end `season_close` posts the closing vote and settles it. `circle_tick` is
their part of `tick`: seasons close before any next season forms.

`manual` is `/coffee admin run` (a round started now, through `tick.start_round`); `results` holds
what the steps hand back (PlannedRound, RoundPreview, RoundSummary, TickReport, ManualRun, Answers).
"""
