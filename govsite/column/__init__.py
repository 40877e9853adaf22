"""The 政府信息公开 column's structured parts (指南, 年度报告, 重大行政决策, 互动回应).

Their data lives in the site's zfxxgk/ folder; each part has a module that loads and validates
its files, checks them as inspectors do, and gives the renderer plain values. model.py holds the
values every stage shares; this package's modules import the model, never the other way round.
"""
