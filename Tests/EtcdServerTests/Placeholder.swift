// EtcdServerTests: filled in by the owner of the target under test.
