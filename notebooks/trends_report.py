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
period_end: str = ""  # last day of the range, YYYY-MM-DD; empty: the end of the latest period in the data
period_start: str = ""  # first day; empty: 12 weeks before period_end, or the first issue's start if later
data_dir: str = "../data"  # the data folder, absolute or relative to this notebook

# %%
from reportlib import TrendsReport

trends = TrendsReport.open(data_dir, period_end, period_start)
trends.title_block()

# %%
trends.key_figures()

# %%
trends.weekly_table()

# %%
trends.weekly_chart()

# %%
trends.type_summary()

# %%
trends.type_table()

# %%
trends.type_chart()

# %%
trends.governorate_table()

# %%
trends.governorate_chart()

# %%
trends.covid_table()

# %%
trends.covid_chart()

# %%
trends.sources()

# %%
trends.colophon()
