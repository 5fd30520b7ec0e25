//! The call as a pure state machine (to be written).
