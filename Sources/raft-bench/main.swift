print("raft-bench: not yet built")
