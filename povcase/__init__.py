"""povcase — register of poor and near-poor households for Vietnamese commune poverty officers."""

__version__ = "0.1.0"
APP_NAME = "povcase"
APP_TITLE = "povcase — Quản lý hộ nghèo, cận nghèo"
