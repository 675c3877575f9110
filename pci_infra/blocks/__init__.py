"""Building blocks shared by both environments: keys, buckets, queues, functions, topics, log groups."""
