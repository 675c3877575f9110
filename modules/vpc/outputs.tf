output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Zones the subnets are spread over, in index order."
  value       = local.azs
}

output "private_subnet_ids" {
  description = "Private subnet IDs, one per zone."
  value       = aws_subnet.private[*].id
}

output "private_subnet_cidrs" {
  description = "Private subnet CIDR blocks, one per zone in zone order."
  value       = aws_subnet.private[*].cidr_block
}

output "private_route_table_ids" {
  description = "Private route table IDs, one per zone."
  value       = aws_route_table.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnet IDs (empty unless create_public_subnets)."
  value       = aws_subnet.public[*].id
}

output "extra_subnet_ids" {
  description = "Extra tier subnet IDs by tier, one per zone in zone order."
  value       = { for tier in keys(var.extra_subnet_tiers) : tier => [for i in range(var.az_count) : aws_subnet.extra["${tier}-${i}"].id] }
}

output "extra_subnet_cidrs" {
  description = "Extra tier subnet CIDR blocks by tier, one per zone in zone order."
  value       = { for tier in keys(var.extra_subnet_tiers) : tier => [for i in range(var.az_count) : aws_subnet.extra["${tier}-${i}"].cidr_block] }
}

output "extra_route_table_ids" {
  description = "Extra tier route table IDs by tier, one per zone in zone order."
  value       = { for tier in keys(var.extra_subnet_tiers) : tier => [for i in range(var.az_count) : aws_route_table.extra["${tier}-${i}"].id] }
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs (empty when nat_gateway_mode is none)."
  value       = aws_nat_gateway.this[*].id
}

output "default_security_group_id" {
  description = "ID of the default security group, stripped of all rules."
  value       = aws_default_security_group.this.id
}

output "flow_log_ids" {
  description = "Flow log IDs by destination (cloudwatch, s3)."
  value       = merge({ for f in aws_flow_log.cloudwatch : "cloudwatch" => f.id }, { for f in aws_flow_log.s3 : "s3" => f.id })
}

output "flow_log_group_name" {
  description = "CloudWatch log group receiving flow logs, or null."
  value       = try(aws_cloudwatch_log_group.flow_logs[0].name, null)
}

output "interface_endpoint_ids" {
  description = "Interface endpoint IDs by service."
  value       = { for k, e in aws_vpc_endpoint.interface : k => e.id }
}

output "endpoint_security_group_id" {
  description = "Security group of the interface endpoints, or null."
  value       = try(aws_security_group.endpoints[0].id, null)
}
