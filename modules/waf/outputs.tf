output "web_acl_arn" {
  description = "ARN of the web ACL."
  value       = aws_wafv2_web_acl.this.arn
}

output "web_acl_id" {
  description = "ID of the web ACL."
  value       = aws_wafv2_web_acl.this.id
}

output "web_acl_name" {
  description = "Name of the web ACL."
  value       = aws_wafv2_web_acl.this.name
}

output "web_acl_rule_names" {
  description = "Rule names in priority order."
  value       = [for r in sort([for r in aws_wafv2_web_acl.this.rule : format("%03d %s", r.priority, r.name)]) : substr(r, 4, -1)]
}
