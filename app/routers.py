"""Every feature router, in one list (features add themselves here)."""

from __future__ import annotations

from fastapi import APIRouter

from app.analytics.api import router as analytics_router
from app.analytics.chart_api import charts_router as analytics_charts_router
from app.analytics.plan_api import plans_router as analytics_plans_router
from app.assets.api import router as assets_router
from app.assets.report_api import reports_router as asset_reports_router
from app.assets.transfer_api import transfers_router as asset_transfers_router
from app.audit.api import router as audit_router
from app.consolidation.adjustment_api import adjustments_router, unrealized_router
from app.consolidation.api import acquisitions_router
from app.consolidation.run_api import runs_router
from app.entities.api import router as entities_router
from app.events.api import router as events_router
from app.exports.api import feed_router as exports_feed_router
from app.exports.api import router as exports_router
from app.ledger.api import router as ledger_router
from app.ledger.chart_api import router as ledger_chart_router
from app.ledger.fx_api import router as ledger_fx_router
from app.ledger.period_api import router as ledger_period_router
from app.ledger.report_api import router as ledger_report_router
from app.ownership.api import overrides_router, ownership_router, stakes_router
from app.users.api import auth_router
from app.users.api import router as users_router

API_ROUTERS: list[APIRouter] = [
    auth_router,
    users_router,
    audit_router,
    entities_router,
    stakes_router,
    overrides_router,
    ownership_router,
    ledger_chart_router,
    ledger_router,
    ledger_period_router,
    ledger_fx_router,
    ledger_report_router,
    assets_router,
    asset_transfers_router,
    asset_reports_router,
    exports_router,
    exports_feed_router,
    acquisitions_router,
    adjustments_router,
    unrealized_router,
    runs_router,
    analytics_router,
    analytics_plans_router,
    analytics_charts_router,
    events_router,
]
