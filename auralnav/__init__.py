"""AuralNav: an agent with two ears walks a simulated room to find and switch off sound sources.

Importing the package registers the gymnasium environment ``AuralNav-v0`` (``auralnav.env.AudioEnv``),
truncated at 1000 steps as the original; ``auralnav.env.make_env`` uses a task's own limit. Modules:

* the room: ``sources`` (synthesised sounds, wav loader), ``geometry`` (floor plan, microphones),
  ``acoustics`` (pyroomacoustics, window simulation), ``env``, ``render``;
* hearing: ``separation`` (DPRNNTasNet), ``pretrain`` (its PIT SI-SDR pretraining), ``cues`` (ITD, ILD,
  volume per separated source), ``features`` (cues of an observation, one step of memory, the state);
* acting and learning: ``agents`` (random, oracle, hand-coded, learned), ``dqn`` (Q-network, Double DQN
  target, margin loss), ``replay`` (n-step transitions, ring buffer), ``train`` (the loop), ``runlog``
  (CSV, TensorBoard, learning curve), ``evaluation`` (seeded episodes, tables, trajectories).
"""

from gymnasium.envs.registration import register, registry

ENV_ID = "AuralNav-v0"

if ENV_ID not in registry:
    register(id=ENV_ID, entry_point="auralnav.env:AudioEnv", max_episode_steps=1000)

__all__ = ["ENV_ID"]
