"""Full-stack mode: the real services over RabbitMQ and a database, with many fake computes."""
