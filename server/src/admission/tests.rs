//! Unit tests of admission: origins, the client address through trusted proxies, the counts.
