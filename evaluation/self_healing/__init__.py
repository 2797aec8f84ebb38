"""The self-healing A/B: arms, the predictive arm's live features and scoring, the KPIs."""
