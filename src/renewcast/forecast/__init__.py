"""Renewal forecasts: features as of a date, the model, explanations and the walk-forward backtest.

Importing this package is cheap: scikit-learn loads only when a model is trained or
a forecast is computed live (``as_of`` given); stored forecasts are plain rows.
"""

from renewcast.forecast.service import (
    NO_FORECAST,
    board,
    forecast_season,
    latest_backtest,
    load_models,
    model_path,
    record_forecasts,
    stored_forecast,
    train,
    walk_forward,
)

__all__ = [
    "NO_FORECAST",
    "board",
    "forecast_season",
    "latest_backtest",
    "load_models",
    "model_path",
    "record_forecasts",
    "stored_forecast",
    "train",
    "walk_forward",
]
