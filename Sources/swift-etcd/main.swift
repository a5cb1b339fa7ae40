print("swift-etcd: not yet built")
