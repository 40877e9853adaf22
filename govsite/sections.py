"""The top-level names the site writes into build/, besides one folder per domain.

A domain id equal to one of these would overwrite that part of the site, so the loader refuses
such ids (E107). Everything that adds a top-level folder or file to build/ takes its name from
here: ADD EVERY NEW TOP-LEVEL SECTION FOLDER TO SECTION_FOLDERS (tests/test_boundary_records.py
fails when build/ holds a top-level name that is neither a domain nor listed here).
"""

from __future__ import annotations

CATALOG = "catalog"  # 标准目录
SEARCH = "search"  # 搜索页和浏览器端索引
STATIC = "static"  # 主题的静态文件
ZFXXGK = "zfxxgk"  # 政府信息公开栏目
HDHY = "hdhy"  # 互动回应
LIBRARY = "library"  # 政策文件库 (govsite/structure.py)
PROJECTS = "projects"  # 重大建设项目
ORGS = "orgs"  # 基层政务公开：乡镇、村

SECTION_FOLDERS: tuple[str, ...] = (CATALOG, SEARCH, STATIC, LIBRARY, PROJECTS, ORGS)
# reserved only on a site with the 政府信息公开 column (a zfxxgk/ data folder): a site without it
# may use zfxxgk as a domain id, as many real sites do (govsite/column/load.py checks this)
COLUMN_FOLDERS: tuple[str, ...] = (ZFXXGK, HDHY)
TOP_FILES: tuple[str, ...] = ("index.html", "404.html", "sitemap.xml", "feed.xml", "robots.txt")

# names a domain id (a top-level folder) must not take: the folders above, and the files'
# names without their suffix, so that no id can ever shadow them on a server that adds suffixes
RESERVED_NAMES: frozenset[str] = frozenset(SECTION_FOLDERS) | {f.split(".")[0] for f in TOP_FILES}
