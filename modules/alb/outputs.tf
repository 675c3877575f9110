output "lb_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "lb_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension)."
  value       = aws_lb.this.arn_suffix
}

output "lb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "lb_zone_id" {
  description = "Hosted zone of the load balancer (Route 53 alias records)."
  value       = aws_lb.this.zone_id
}

output "lb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.this.id
}

output "target_group_arns" {
  description = "Target group ARNs by key."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffixes by key (CloudWatch dimension)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn_suffix }
}

output "listener_arn" {
  description = "ARN of the serving listener (HTTPS, or HTTP without a certificate)."
  value       = local.serving_listener_arn
}
