# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
# Parameters: papermill replaces this cell's values; `reportlib build` passes them.
period_end: str = ""  # last day of the period, YYYY-MM-DD; empty: the latest period in the data
period_start: str = ""  # first day; empty: the declared period ending on period_end (else a week)
data_dir: str = "../data"  # the data folder, absolute or relative to this notebook
trend_weeks: int = -1  # weeks of history in the trend chart; -1: the value in monitor.yaml

# %%
from reportlib import Report

report = Report.open(data_dir, period_end, period_start, trend_weeks)
report.title_block()

# %%
report.key_figures()

# %%
report.section("politics")

# %%
report.section("armed_groups")

# %%
report.section_heading("security")

# %%
report.security_summary()

# %%
report.events("security")

# %%
report.incidents_table()

# %%
report.incidents_chart()

# %%
report.governorate_chart()

# %%
report.governorate_map()

# %%
report.trend_chart()

# %%
report.section("humanitarian")

# %%
report.covid_summary()

# %%
report.indicators_table()

# %%
report.covid_chart()

# %%
report.sources()

# %%
report.colophon()
