output "cluster_arn" {
  description = "ARN of the Aurora cluster."
  value       = aws_rds_cluster.this.arn
}

output "cluster_identifier" {
  description = "Identifier of the Aurora cluster."
  value       = aws_rds_cluster.this.cluster_identifier
}

output "cluster_resource_id" {
  description = "Resource ID of the cluster (for rds-db:connect IAM policies)."
  value       = aws_rds_cluster.this.cluster_resource_id
}

output "cluster_endpoint" {
  description = "Writer endpoint of the cluster."
  value       = aws_rds_cluster.this.endpoint
}

output "cluster_reader_endpoint" {
  description = "Reader endpoint of the cluster."
  value       = aws_rds_cluster.this.reader_endpoint
}

output "cluster_port" {
  description = "PostgreSQL port."
  value       = aws_rds_cluster.this.port
}

output "cluster_master_user_secret_arn" {
  description = "ARN of the RDS-managed master user secret (the value is never in state)."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "cluster_security_group_id" {
  description = "Security group of the cluster."
  value       = aws_security_group.cluster.id
}

output "instance_identifiers" {
  description = "Instance identifiers, writer first."
  value       = aws_rds_cluster_instance.this[*].identifier
}

output "instance_availability_zones" {
  description = "Zone of each instance, writer first."
  value       = aws_rds_cluster_instance.this[*].availability_zone
}

output "proxy_arn" {
  description = "ARN of the RDS Proxy, or null."
  value       = try(aws_db_proxy.this[0].arn, null)
}

output "proxy_name" {
  description = "Name of the RDS Proxy, or null."
  value       = try(aws_db_proxy.this[0].name, null)
}

output "proxy_resource_id" {
  description = "Resource id of the RDS Proxy (prx-...), as IAM database authentication names it in rds-db:connect ARNs, or null."
  value       = try(element(split(":", aws_db_proxy.this[0].arn), 6), null)
}

output "proxy_endpoint" {
  description = "Endpoint the applications connect to (TLS, IAM auth), or null."
  value       = try(aws_db_proxy.this[0].endpoint, null)
}

output "proxy_security_group_id" {
  description = "Security group of the proxy, or null."
  value       = try(aws_security_group.proxy[0].id, null)
}
