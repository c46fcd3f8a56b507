# Amazon MQ for RabbitMQ: private (no public address), AMQPS on 5671 and the management API on
# 443 (KEDA's queue-length scaler and the Knative RabbitmqSource read it), general logs to
# CloudWatch, minor versions applied in the maintenance window.

resource "aws_security_group" "this" {
  name        = "${var.name}-rabbitmq"
  description = "RabbitMQ of ${var.name}: admits the EKS cluster security group on AMQPS and HTTPS"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = { amqps = 5671, management = 443 }

  security_group_id            = aws_security_group.this.id
  description                  = "RabbitMQ ${each.key} from the pods and nodes of the EKS cluster"
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

resource "aws_mq_broker" "this" {
  #checkov:skip=CKV_AWS_209:Amazon MQ for RabbitMQ encrypts at rest only with an AWS-owned key; a customer-managed key is not supported for this engine
  broker_name                = "${var.name}-rabbitmq"
  engine_type                = "RabbitMQ"
  engine_version             = var.engine_version
  host_instance_type         = var.instance_type
  deployment_mode            = var.deployment_mode
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  subnet_ids                 = var.deployment_mode == "SINGLE_INSTANCE" ? [var.subnet_ids[0]] : var.subnet_ids
  security_groups            = [aws_security_group.this.id]

  encryption_options {
    use_aws_owned_key = true
  }

  logs {
    general = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "18:00" # 03:00 in Korea, the quietest hour
    time_zone   = "UTC"
  }

  user {
    username = var.username
    password = var.password
  }

  tags = var.tags
}
