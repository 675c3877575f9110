# Plan-level checks with a mocked provider: no AWS calls, runs offline in seconds.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_rds_cluster" {
    defaults = {
      master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!cluster-abc", kms_key_id = "k", secret_status = "active" }]
    }
  }
}

variables {
  name                    = "payments-db-test"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-a", "subnet-b", "subnet-c"]
  availability_zones      = ["us-east-1a", "us-east-1b", "us-east-1c"]
  allowed_security_groups = { payment-functions = "sg-0lambda" }
  kms_key_arn             = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  deletion_protection     = false
  skip_final_snapshot     = true
}

run "serverless_v2_writer_and_two_readers_in_three_zones" {
  command = plan

  assert {
    condition     = aws_rds_cluster.this.engine == "aurora-postgresql" && aws_rds_cluster.this.engine_mode == "provisioned"
    error_message = "Got ${aws_rds_cluster.this.engine}/${aws_rds_cluster.this.engine_mode}, expected aurora-postgresql/provisioned (Serverless v2)."
  }
  assert {
    condition     = length(aws_rds_cluster_instance.this) == 3 && alltrue([for i in aws_rds_cluster_instance.this : i.instance_class == "db.serverless"])
    error_message = "Got ${length(aws_rds_cluster_instance.this)} instances, expected 3 db.serverless."
  }
  assert {
    condition     = length(distinct(aws_rds_cluster_instance.this[*].availability_zone)) == 3
    error_message = "Got zones ${join(",", aws_rds_cluster_instance.this[*].availability_zone)}, expected three distinct."
  }
  assert {
    condition     = aws_rds_cluster.this.serverlessv2_scaling_configuration[0].min_capacity == 0.5 && aws_rds_cluster.this.serverlessv2_scaling_configuration[0].max_capacity == 4
    error_message = "Got other ACU bounds, expected 0.5..4."
  }
}

run "storage_and_secret_encrypted_with_the_cmk_and_no_password_in_state" {
  command = plan

  assert {
    condition     = aws_rds_cluster.this.storage_encrypted && aws_rds_cluster.this.kms_key_id == var.kms_key_arn
    error_message = "Got storage key ${coalesce(aws_rds_cluster.this.kms_key_id, "none")}, expected the given CMK."
  }
  assert {
    condition     = aws_rds_cluster.this.manage_master_user_password == true && aws_rds_cluster.this.master_password == null
    error_message = "The master password must be managed by RDS, never set in configuration."
  }
  assert {
    condition     = aws_rds_cluster.this.master_user_secret_kms_key_id == var.kms_key_arn
    error_message = "The managed master secret must be encrypted with the given CMK."
  }
  assert {
    condition     = one([for p in aws_rds_cluster_parameter_group.this.parameter : p.value if p.name == "rds.force_ssl"]) == "1"
    error_message = "rds.force_ssl must be 1 (TLS-only connections)."
  }
}

run "query_logging_on_the_parameter_group" {
  command = plan

  assert {
    condition     = one([for p in aws_rds_cluster_parameter_group.this.parameter : p.value if p.name == "log_statement"]) == "ddl"
    error_message = "log_statement must default to ddl (schema and privilege changes logged)."
  }
  assert {
    condition     = one([for p in aws_rds_cluster_parameter_group.this.parameter : p.value if p.name == "log_min_duration_statement"]) == "1000"
    error_message = "log_min_duration_statement must default to 1000 ms."
  }
}

run "proxy_requires_tls_and_iam_auth" {
  command = plan

  assert {
    condition     = aws_db_proxy.this[0].require_tls == true
    error_message = "Got require_tls = ${aws_db_proxy.this[0].require_tls}, expected true."
  }
  assert {
    condition     = one(aws_db_proxy.this[0].auth).iam_auth == "REQUIRED"
    error_message = "Got iam_auth ${one(aws_db_proxy.this[0].auth).iam_auth}, expected REQUIRED."
  }
  assert {
    condition     = aws_db_proxy.this[0].engine_family == "POSTGRESQL"
    error_message = "Got engine family ${aws_db_proxy.this[0].engine_family}, expected POSTGRESQL."
  }
}

run "only_the_proxy_and_allowed_groups_reach_the_cluster" {
  command = plan

  assert {
    condition     = [for rule in values(aws_vpc_security_group_ingress_rule.cluster_from_allowed) : rule.referenced_security_group_id] == ["sg-0lambda"]
    error_message = "Got cluster ingress from ${join(",", keys(aws_vpc_security_group_ingress_rule.cluster_from_allowed))}, expected payment-functions (sg-0lambda) only."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.cluster_from_allowed["payment-functions"].cidr_ipv4 == null
    error_message = "Cluster ingress must reference security groups, never CIDR ranges."
  }
}

run "ephemeral_settings_make_it_destroyable" {
  command = plan

  assert {
    condition     = aws_rds_cluster.this.deletion_protection == false && aws_rds_cluster.this.skip_final_snapshot == true
    error_message = "Ephemeral inputs must turn deletion protection off and skip the final snapshot."
  }
}

run "rejects_max_below_min_capacity" {
  command = plan

  variables {
    min_capacity = 8
    max_capacity = 2
  }

  expect_failures = [aws_rds_cluster.this]
}

run "rejects_an_aws_managed_key_alias" {
  command = plan

  variables {
    kms_key_arn = "alias/aws/rds"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_too_many_readers" {
  command = plan

  variables {
    reader_count = 16
  }

  expect_failures = [var.reader_count]
}

run "rejects_query_logging_off" {
  command = plan

  variables {
    log_statement = "none"
  }

  expect_failures = [var.log_statement]
}
