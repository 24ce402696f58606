"""The coordinate reference systems gezondewijk works in, named once.

Every computation runs in RD New (Amersfoort / RD New, EPSG:28992), the Dutch national grid in
metres that CBS, PDOK and RIVM publish in; web maps and OpenStreetMap use WGS84 (EPSG:4326).
"""

from __future__ import annotations

#: Amersfoort / RD New: metres, the CRS of every computation.
RD_NEW = "EPSG:28992"
#: WGS84 longitude/latitude: OpenStreetMap, GeoJSON and the map viewer.
WGS84 = "EPSG:4326"
