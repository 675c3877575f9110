# Aurora PostgreSQL Serverless v2: subnet and parameter groups, cluster, writer + readers.

locals {
  parameter_family = "aurora-postgresql${split(".", var.engine_version)[0]}"
  instance_count   = 1 + var.reader_count
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = merge({ Name = var.name }, var.tags)
}

# TLS in transit: the cluster refuses unencrypted connections.
resource "aws_rds_cluster_parameter_group" "this" {
  name        = "${var.name}-tls"
  family      = local.parameter_family
  description = "TLS-only connections for ${var.name}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Query logging (PCI DSS 10.2): schema and privilege changes, and statements slower than the threshold.
  parameter {
    name  = "log_statement"
    value = var.log_statement
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_ms)
  }

  tags = var.tags
}

resource "aws_rds_cluster" "this" {
  cluster_identifier = var.name
  engine             = "aurora-postgresql"
  engine_mode        = "provisioned"
  engine_version     = var.engine_version
  database_name      = var.database_name
  master_username    = var.master_username

  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

  storage_encrypted                   = true
  kms_key_id                          = var.kms_key_arn
  iam_database_authentication_enabled = true

  db_subnet_group_name            = aws_db_subnet_group.this.name
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this.name
  vpc_security_group_ids          = [aws_security_group.cluster.id]
  enabled_cloudwatch_logs_exports = sort(tolist(var.log_exports))

  backup_retention_period   = var.backup_retention_days
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${var.name}-final"

  serverlessv2_scaling_configuration {
    min_capacity = var.min_capacity
    max_capacity = var.max_capacity
  }

  tags = merge({ Name = var.name }, var.tags)

  lifecycle {
    precondition {
      condition     = var.max_capacity >= var.min_capacity
      error_message = "max_capacity: must be at least min_capacity."
    }
  }
}

resource "aws_rds_cluster_instance" "this" {
  count = local.instance_count

  identifier           = "${var.name}-${count.index}"
  cluster_identifier   = aws_rds_cluster.this.id
  engine               = aws_rds_cluster.this.engine
  engine_version       = aws_rds_cluster.this.engine_version
  instance_class       = "db.serverless"
  availability_zone    = element(var.availability_zones, count.index)
  db_subnet_group_name = aws_db_subnet_group.this.name
  promotion_tier       = count.index
  publicly_accessible  = false
  # Stated, not left to the default: security patches within the major version arrive unasked.
  auto_minor_version_upgrade = true

  tags = merge({ Name = "${var.name}-${count.index}", Role = count.index == 0 ? "writer" : "reader" }, var.tags)
}
