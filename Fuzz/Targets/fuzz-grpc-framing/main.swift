import FuzzSupport
fuzzMain { _ in }
